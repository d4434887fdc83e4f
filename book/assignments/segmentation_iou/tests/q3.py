OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert np.shape(row_prior(masks[:2], void)) == masks.shape[1:]\n',
                                       'failure_message': 'one label per pixel position: shape (H, W)',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}

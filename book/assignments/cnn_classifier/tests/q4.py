OK_FORMAT = True

test = {   'name': 'q4',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert np.shape(predict_labels(model, x_train[:5])) == (5,)\n',
                                       'failure_message': 'one label per image: shape (N,), not the (N, 10) scores',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}

OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> t = np.array([[0, 0, 1], [1, 1, 2]])\n'
                                               '>>> p = np.array([[0, 1, 1], [1, 1, 0]])\n'
                                               '>>> got = np.asarray(iou_per_class(t, p, 3, void=9))\n'
                                               '>>> assert got.shape == (3,) and np.allclose(got, [1 / 3, 3 / 4, 0.0])\n',
                                       'failure_message': 'class 0: 1 pixel in both, 3 in either; class 1: 3 in both, 4 in either; class 2: 0 in both',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}

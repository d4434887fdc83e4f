OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> g = numerical_gradient(lambda v: np.sum(v ** 2), np.array([1.0, -2.0]))\n>>> assert np.allclose(g, [2.0, -4.0], atol=1e-06)\n',
                                       'failure_message': 'the gradient of sum(x^2) is 2x',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
